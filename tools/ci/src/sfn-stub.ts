import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stub ends each execution: after `runningPolls` RUNNING answers, this status. */
export interface StubExecutionScript {
  readonly runningPolls: number;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly error?: string;
  readonly cause?: string;
  readonly output?: unknown;
}

export interface StubCall {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/**
 * A Step Functions endpoint for tests, speaking the service's JSON 1.0 protocol
 * (`X-Amz-Target: AWSStepFunctions.<Operation>`) for StartExecution, DescribeExecution and StopExecution.
 */
export async function startSfnStub(script: StubExecutionScript): Promise<{
  readonly endpoint: string;
  readonly calls: StubCall[];
  close(): Promise<void>;
}> {
  const calls: StubCall[] = [];
  const executions = new Map<
    string,
    { name: string; stateMachineArn: string; input: string; polls: number; stopped: boolean }
  >();
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      calls.push({ operation, body });
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(payload));
      };
      if (operation === 'StartExecution') {
        const stateMachineArn = String(body.stateMachineArn);
        const name = String(body.name);
        const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
        if (executions.has(executionArn)) {
          return reply(400, {
            __type: 'ExecutionAlreadyExists',
            message: `Execution Already Exists: '${executionArn}'`,
          });
        }
        executions.set(executionArn, {
          name,
          stateMachineArn,
          input: String(body.input),
          polls: 0,
          stopped: false,
        });
        return reply(200, { executionArn, startDate: Date.now() / 1000 });
      }
      const executionArn = String(body.executionArn);
      const execution = executions.get(executionArn);
      if (!execution)
        return reply(400, {
          __type: 'ExecutionDoesNotExist',
          message: `Execution Does Not Exist: '${executionArn}'`,
        });
      if (operation === 'StopExecution') {
        execution.stopped = true;
        return reply(200, { stopDate: Date.now() / 1000 });
      }
      if (operation === 'DescribeExecution') {
        execution.polls += 1;
        const running = !execution.stopped && execution.polls <= script.runningPolls;
        const status = execution.stopped ? 'ABORTED' : running ? 'RUNNING' : script.status;
        return reply(200, {
          executionArn,
          stateMachineArn: execution.stateMachineArn,
          name: execution.name,
          status,
          input: execution.input,
          startDate: Date.now() / 1000,
          ...(running ? {} : { stopDate: Date.now() / 1000 }),
          ...(status === 'SUCCEEDED' && script.output !== undefined
            ? { output: JSON.stringify(script.output) }
            : {}),
          ...(status !== 'SUCCEEDED' && !running && script.error
            ? { error: script.error, cause: script.cause }
            : {}),
        });
      }
      return reply(400, { __type: 'UnknownOperationException', message: `stub does not speak ${operation}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
