// Writes docs/openapi.json from the gateway's route schemas: `pnpm openapi` (root script).
// test/openapi.test.ts fails when the committed file differs from what this produces.
import { writeFile } from 'node:fs/promises';
import { OPENAPI_PATH, renderOpenApiDocument } from './openapi-document.ts';

await writeFile(OPENAPI_PATH, await renderOpenApiDocument());
process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
