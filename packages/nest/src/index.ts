export { EverTaskModule, EVERTASK_MONITOR } from './evertask-module.js';
export { EverTaskModuleOptionsError } from './options.js';
export type { EverTaskModuleOptions } from './options.js';
