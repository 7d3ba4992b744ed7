import { describe, it } from 'vitest';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { boundariesRule } from './boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2024, sourceType: 'module' },
});
const svc = (rel: string) => `/repo/services/order/src/${rel}`;

tester.run('local/boundaries', boundariesRule, {
  valid: [
    { filename: svc('domain/order-state.ts'), code: `import { x } from './order-rules.ts';` },
    { filename: svc('app/place-order.ts'), code: `import { transition } from '../domain/order-state.ts';` },
    { filename: svc('adapters/pg-order-repo.ts'), code: `import type { OrderRepo } from '../app/ports.ts';` },
    { filename: svc('transport/grpc.ts'), code: `import { ok } from '@mealpeak/core';` },
    { filename: svc('domain/order-state.test.ts'), code: `import { describe } from 'vitest';` },
    {
      filename: svc('domain/x.ts'),
      code: `import { ok } from '@mealpeak/core';`,
      options: [{ allowPackages: ['@mealpeak/core'] }],
    },
    { filename: '/repo/libs/db/src/pool.ts', code: `import pg from 'pg';` },
  ],
  invalid: [
    {
      filename: svc('domain/order-state.ts'),
      code: `import { repo } from '../adapters/pg.ts';`,
      errors: [{ messageId: 'domain' }],
    },
    {
      filename: svc('domain/order-state.ts'),
      code: `import { placeOrder } from '../app/place-order.ts';`,
      errors: [{ messageId: 'domain' }],
    },
    {
      filename: svc('domain/rules/a.ts'),
      code: `export * from '../../transport/http.ts';`,
      errors: [{ messageId: 'domain' }],
    },
    {
      filename: svc('domain/order-state.ts'),
      code: `import { build } from '../app.ts';`,
      errors: [{ messageId: 'domain' }],
    },
    {
      filename: svc('domain/order-state.ts'),
      code: `import pg from 'pg';`,
      errors: [{ messageId: 'domainPackage' }],
    },
    {
      filename: svc('app/x.ts'),
      code: `import { y } from '../../../merchant/src/domain/menu.ts';`,
      errors: [{ messageId: 'crossService' }],
    },
    {
      filename: svc('app/x.ts'),
      code: `import { y } from '@mealpeak/merchant';`,
      errors: [{ messageId: 'crossService' }],
    },
    {
      filename: svc('app/x.ts'),
      code: `const m = await import('@mealpeak/gateway/src/app.ts');`,
      errors: [{ messageId: 'crossService' }],
    },
  ],
});
