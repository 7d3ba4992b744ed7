export {
  createGrpcServer,
  type GrpcServer,
  type GrpcServerSettings,
  type CallContext,
  type UnaryHandler,
  type UnaryImplementation,
} from './server.ts';
export {
  createGrpcClient,
  call,
  DEFAULT_RETRY,
  type ClientSettings,
  type CallSettings,
  type RetryPolicy,
} from './client.ts';
export { checkHealth, type HealthStatus } from './health.ts';
export {
  toStatus,
  fromServiceError,
  statusOfKind,
  kindOfStatus,
  classifyThrown,
  ERROR_CODE_KEY,
} from './errors.ts';
export { status as GrpcStatus, Metadata, type ServiceDefinition } from '@grpc/grpc-js';
export { INTERNAL_TOKEN_KEY } from './options.ts';
