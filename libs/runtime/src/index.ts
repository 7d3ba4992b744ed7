export { createLifecycle, type Lifecycle, type LifecycleSettings } from './lifecycle.ts';
export { startOpsServer, type OpsServer, type OpsServerSettings } from './ops-server.ts';
export { bootService, type BootContext } from './boot.ts';
export { startLoop, drain, type Loop } from './loop.ts';
