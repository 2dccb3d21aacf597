/**
 * Where the built dashboard is, for the monitor's `dashboard` option.
 *
 * @packageDocumentation
 * @module @evertask/dashboard
 */
/** Directory of the built dashboard: pass it as the monitor's `dashboard` option. */
export declare const dashboardDirectory: string;
/** True once `npm run build --workspace @evertask/dashboard` has run. */
export declare function isDashboardBuilt(): boolean;
/** Builds the dashboard with Vite unless it is built already; answers its directory. */
export declare function ensureDashboardBuilt(): string;
