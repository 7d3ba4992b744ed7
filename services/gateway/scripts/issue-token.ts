// Prints a signed bearer token for local runs:
//   node services/gateway/scripts/issue-token.ts --role customer --sub c-1 [--ttl 3600]
// Signs with JWT_SECRET from the environment (the dev default when unset), like the gateway, and
// names JWT_AUDIENCE when that is set.
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';
import { loadConfig } from '@mealpeak/config';
import { ROLES, isPlainId, type Role } from '../src/app/principal.ts';
import { configSchema } from '../src/config.ts';
import { issueToken, jwtOptions } from '../src/transport/http/auth.ts';

const usage = `usage: issue-token.ts --role ${ROLES.join('|')} --sub <id> [--ttl <seconds, 60..86400>]\n`;
const { values } = parseArgs({
  options: { role: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string', default: '3600' } },
});
const role = ROLES.find((r): r is Role => r === values.role);
const ttl = Number(values.ttl);
if (!role || !values.sub || !isPlainId(values.sub) || !Number.isInteger(ttl) || ttl < 60 || ttl > 86_400) {
  process.stderr.write(usage);
  process.exit(64); // EX_USAGE
}

const config = loadConfig(configSchema);
const app = Fastify();
await app.register(fastifyJwt, jwtOptions(config.JWT_SECRET, config.JWT_AUDIENCE));
await app.ready();
process.stdout.write(`${issueToken(app.jwt, { role, id: values.sub }, ttl).token}\n`);
await app.close();
