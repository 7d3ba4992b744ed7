import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH, renderOpenApiDocument } from '../scripts/openapi-document.ts';
import { createHarness, type Harness } from './support/harness.ts';

describe('OpenAPI document', () => {
  it('docs/openapi.json is what the code produces', async () => {
    const committed = await readFile(OPENAPI_PATH, 'utf8').catch(() => '(missing)');
    const produced = await renderOpenApiDocument();
    if (committed !== produced) {
      const a = committed.split('\n');
      const b = produced.split('\n');
      const differs = a.findIndex((l, i) => l !== b[i]);
      const line = differs === -1 ? Math.min(a.length, b.length) : differs;
      expect.fail(`docs/openapi.json is stale (first difference at line ${line + 1}): run pnpm openapi`);
    }
  });

  describe('served by the gateway', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness();
    });
    afterAll(() => h.close());

    it('as JSON at /docs/json, describing every /v1 route with its roles', async () => {
      const res = await h.call({ url: '/docs/json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json<{
        openapi: string;
        paths: Record<string, Record<string, { security?: unknown; description?: string }>>;
      }>();
      expect(doc.openapi).toBe('3.1.0');
      const place = doc.paths['/v1/orders']?.['post'];
      expect(place?.security).toEqual([{ bearerAuth: [] }]);
      expect(place?.description).toContain('Roles: customer.');
      expect(Object.keys(doc.paths).every((p) => p.startsWith('/v1/'))).toBe(true);
    });

    it('as a browsable UI at /docs', async () => {
      const res = await h.call({ url: '/docs/' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('swagger');
    });
  });
});
