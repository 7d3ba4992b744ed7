export type { Infra } from './infra.ts';
export { migrateNow, openDatabase, type DatabaseConfig } from './database.ts';
export { startOutbox, type OutboxConfig } from './outbox.ts';
export { connectInfra, type InfraConfig } from './connect.ts';
export { startConsumer, type ConsumerConfig } from './consumer.ts';
export { serveGrpc, type GrpcConfig } from './grpc.ts';
export { startInboxPurge, startPurgeLoop, type InboxConfig } from './inbox.ts';
