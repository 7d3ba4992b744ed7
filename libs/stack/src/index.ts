export { startStack, type Stack, type StackSettings, type ServiceName, type Replica } from './stack.ts';
export { freePort } from './ports.ts';
export { spawnTied } from './tied-spawn.ts';
export { isRunning, signalAndWait } from './signals.ts';
