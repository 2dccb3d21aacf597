/**
 * Typed client of the @evertask/monitor REST API. Addresses are relative (`api/...`): the page's
 * <base href> is the monitor's basePath, so they resolve wherever the monitor is mounted. The
 * session travels in the HttpOnly cookie the login sets; actions carry the CSRF header.
 */
import type {
  ApiErrorBody, BulkAction, BulkActionResponse, BulkFilter, CancelResponse, DeleteResponse, EngineConfigResponse, ExecutionLogsPage, ExecutionTimeBucket,
  InstanceItem, LoginResponse, MonitorConfigResponse, Overview, QueueStateResponse, QueueView, RateLimitsResponse, SuccessRateTrend, TaskActionResponse, TaskDetail, TasksPage,
  TimeRange,
} from '@evertask/monitor';

/** An answer other than 2xx, with the API's code and message. */
export class ApiRequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function cookie(name: string): string | undefined {
  const entry = document.cookie.split('; ').find((part) => part.startsWith(`${name}=`));
  return entry === undefined ? undefined : decodeURIComponent(entry.slice(name.length + 1));
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`api/${path}`, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json', ...init.headers } });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => undefined)) as T | ApiErrorBody | undefined;
  if (!response.ok) {
    const error = (body as ApiErrorBody | undefined)?.error;
    throw new ApiRequestError(response.status, error?.code ?? 'ERR_HTTP', error?.message ?? `The monitor answered ${response.status}.`);
  }
  return body as T;
}

function query(parameters: Record<string, string | number | boolean | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(key, value.join(','));
    } else search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Parameters of the task list (GET /api/tasks). */
export interface TaskQuery {
  statuses?: readonly string[];
  name?: string;
  queue?: string;
  recurring?: boolean;
  search?: string;
  page?: number;
  pageSize?: number;
  sortBy?: string;
  sortDescending?: boolean;
}

let csrfHeader = 'X-EverTask-CSRF';

/** An action: the CSRF header from the cookie the login set, a JSON body when given. */
function act<T>(path: string, method: 'POST' | 'DELETE' = 'POST', body?: unknown): Promise<T> {
  const headers: Record<string, string> = { [csrfHeader]: cookie('evertask_csrf') ?? 'dashboard' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return request<T>(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

const taskPath = (id: string, action = '') => `tasks/${encodeURIComponent(id)}${action === '' ? '' : `/${action}`}`;

export const api = {
  async config(): Promise<MonitorConfigResponse> {
    const config = await request<MonitorConfigResponse>('config');
    csrfHeader = config.csrfHeader;
    return config;
  },
  login: (username: string, password: string) =>
    request<LoginResponse>('auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) }),
  logout: () => request<void>('auth/logout', { method: 'POST' }),
  engine: () => request<EngineConfigResponse>('engine'),
  overview: (range: TimeRange) => request<Overview>(`dashboard/overview${query({ range })}`),
  successRateTrend: () => request<SuccessRateTrend>('statistics/success-rate-trend'),
  executionTimes: (range: TimeRange) => request<ExecutionTimeBucket[]>(`statistics/execution-times${query({ range })}`),
  tasks: (parameters: TaskQuery) => request<TasksPage>(`tasks${query({ ...parameters })}`),
  task: (id: string) => request<TaskDetail>(`tasks/${encodeURIComponent(id)}`),
  logs: (id: string, skip: number, take: number, level: string | undefined) =>
    request<ExecutionLogsPage>(`tasks/${encodeURIComponent(id)}/execution-logs${query({ skip, take, level })}`),
  queues: () => request<QueueView[]>('queues'),
  instances: () => request<InstanceItem[]>('instances'),
  rateLimits: () => request<RateLimitsResponse>('rate-limits'),
  cancel: (id: string) => act<CancelResponse>(taskPath(id, 'cancel')),
  runNow: (id: string) => act<TaskActionResponse>(taskPath(id, 'run-now')),
  retry: (id: string) => act<TaskActionResponse>(taskPath(id, 'retry')),
  deleteTask: (id: string) => act<DeleteResponse>(taskPath(id), 'DELETE'),
  pauseQueue: (name: string) => act<QueueStateResponse>(`queues/${encodeURIComponent(name)}/pause`),
  resumeQueue: (name: string) => act<QueueStateResponse>(`queues/${encodeURIComponent(name)}/resume`),
  bulk: (action: BulkAction, filter: BulkFilter) => act<BulkActionResponse>('tasks/bulk', 'POST', { action, filter }),
};
