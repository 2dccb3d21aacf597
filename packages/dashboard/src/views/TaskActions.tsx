import type { TaskDetail } from '@evertask/monitor';
import { api } from '../api/client';
import { ConfirmAction } from '../components/ConfirmAction';
import { navigate } from '../router';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** The actions the task's status allows, each after a confirmation: run now, retry, cancel, delete. */
export function TaskActions({ task, onChanged }: { task: TaskDetail; onChanged: () => void }) {
  const finished = FINISHED.has(task.status);
  return (
    <div className="actions">
      {task.status === 'waiting' && (
        <ConfirmAction
          label="Run now"
          title="Run this task now?"
          message={`${task.name} becomes due now and runs as soon as a worker of queue ${task.queue} is free.`}
          run={() => api.runNow(task.id)}
          onDone={onChanged}
        />
      )}
      {task.status === 'failed' && (
        <ConfirmAction
          label="Retry"
          title="Retry this task?"
          message={`${task.name} runs again from attempt 1; its error stays in the status history.`}
          run={() => api.retry(task.id)}
          onDone={onChanged}
        />
      )}
      {!finished && (
        <ConfirmAction
          label="Cancel task"
          title="Cancel this task?"
          message={`${task.name} (${task.status}) will not run${task.status === 'in-progress' ? ' further: its run is aborted' : ''}. This cannot be undone.`}
          danger
          run={() => api.cancel(task.id)}
          onDone={onChanged}
        />
      )}
      {finished && (
        <ConfirmAction
          label="Delete"
          title="Delete this task?"
          message={`${task.name} (${task.status}) is removed with its status history, runs and logs. This cannot be undone.`}
          danger
          run={() => api.deleteTask(task.id)}
          onDone={() => navigate('/tasks')}
        />
      )}
    </div>
  );
}
