/**
 * The ceilings the order pipeline is compared with, served by the same runtime and framework:
 *   node ceiling-server.ts constant            fastify answering a constant JSON body
 *   node ceiling-server.ts insert <pg-url>     fastify doing one INSERT per request through pg
 * Prints `listening <port>`.
 */
import Fastify from 'fastify';
import pg from 'pg';

const [mode, pgUrl] = process.argv.slice(2);
const app = Fastify({ logger: false });

if (mode === 'insert') {
  const pool = new pg.Pool({ connectionString: pgUrl, max: 20 });
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ceiling_orders (id bigserial PRIMARY KEY, customer text NOT NULL, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  app.post('/v1/orders', async (req, reply) => {
    const { rows } = await pool.query<{ id: string }>(
      'INSERT INTO ceiling_orders (customer, body) VALUES ($1, $2) RETURNING id',
      ['c', JSON.stringify(req.body)],
    );
    return reply.code(201).send({ id: rows[0]?.id });
  });
} else {
  app.post('/v1/orders', async (_req, reply) => reply.code(201).send({ id: 'constant', state: 'PLACED' }));
}
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
