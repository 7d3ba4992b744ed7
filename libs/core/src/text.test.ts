import { describe, expect, it } from 'vitest';
import { charLength, textProblem } from './text.ts';

describe('free text', () => {
  it('counts characters as JSON Schema does (code points), not UTF-16 units', () => {
    expect(charLength('Matjesbrötchen')).toBe(14);
    expect(charLength('🍜🍜')).toBe(2);
    expect('🍜🍜'.length).toBe(4);
    expect(textProblem('🍜'.repeat(200), 200)).toBeUndefined();
    expect(textProblem('🍜'.repeat(201), 200)).toBe('at most 200 characters');
  });

  it('refuses NUL and other control characters, but not tab or line breaks', () => {
    expect(textProblem('a\u0000b', 10)).toBe('must not contain control characters');
    expect(textProblem('a\u001bb', 10)).toBe('must not contain control characters');
    expect(textProblem('a\u007fb', 10)).toBe('must not contain control characters');
    expect(textProblem('line one\r\nline\ttwo', 100)).toBeUndefined();
    expect(textProblem('红烧肉', 3)).toBeUndefined();
  });
});
