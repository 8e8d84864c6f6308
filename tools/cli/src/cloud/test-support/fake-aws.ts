import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDLAKEPIPETEST', secretAccessKey: 'test-secret' } as const;

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

async function listen(
  handle: (req: IncomingMessage, body: string) => Promise<Reply> | Reply,
  contentType: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      Promise.resolve(handle(req, body)).then(
        (reply) => {
          res.writeHead(reply.status, { 'content-type': contentType, ...reply.headers });
          res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': contentType });
          res.end(JSON.stringify({ __type: 'InternalFailure', message: error.message }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A loopback SSM speaking its JSON 1.1 protocol (`X-Amz-Target: AmazonSSM.GetParameters`). */
export class FakeSsm {
  readonly calls: string[] = [];
  /** when set, every call answers this error type (e.g. UnrecognizedClientException) */
  failWith?: string;
  private server?: Server;

  constructor(readonly parameters: Record<string, string>) {}

  async start(): Promise<SSMClient> {
    const { server, url } = await listen((req, text) => {
      const action = String(req.headers['x-amz-target']).replace('AmazonSSM.', '');
      this.calls.push(action);
      if (this.failWith)
        return {
          status: 400,
          body: { __type: this.failWith, message: 'The security token included in the request is invalid.' },
        };
      if (action !== 'GetParameters')
        return { status: 400, body: { __type: 'InvalidAction', message: `unsupported ${action}` } };
      const names = (JSON.parse(text) as { Names: string[] }).Names;
      return {
        status: 200,
        body: {
          Parameters: names
            .filter((n) => n in this.parameters)
            .map((n) => ({ Name: n, Value: this.parameters[n], Type: 'String', Version: 1 })),
          InvalidParameters: names.filter((n) => !(n in this.parameters)),
        },
      };
    }, 'application/x-amz-json-1.1');
    this.server = server;
    return new SSMClient({
      endpoint: url,
      region: 'eu-west-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

/** One history event as Step Functions returns it (ids and timestamps are filled in). */
export type ScriptedEvent = { readonly type: string } & Record<string, unknown>;

/** What one execution does: its history, revealed a few events per poll, and what StartExecution triggers. */
export interface ScriptedExecution {
  /** events in order; each GetExecutionHistory poll reveals `perPoll` more */
  readonly events: readonly ScriptedEvent[];
  /** @default 3 */
  readonly perPoll?: number;
  readonly output?: string;
}

/**
 * A loopback Step Functions speaking its JSON 1.0 protocol (`X-Amz-Target: AWSStepFunctions.<Action>`):
 * StartExecution, GetExecutionHistory (newest first with reverseOrder, paged by maxResults),
 * DescribeExecution and RedriveExecution. `throttle[action]` answers that many ThrottlingExceptions first.
 */
export class FakeStepFunctions {
  readonly calls: { action: string; body: Record<string, unknown> }[] = [];
  readonly throttle: Record<string, number> = {};
  private readonly executions = new Map<
    string,
    { script: ScriptedExecution; revealed: number; input: string }
  >();
  private server?: Server;

  constructor(
    private readonly script: (input: { runId: string; trigger: string }) => Promise<ScriptedExecution>,
  ) {}

  async start(): Promise<SFNClient> {
    const { server, url } = await listen(async (req, text) => {
      const action = String(req.headers['x-amz-target']).replace('AWSStepFunctions.', '');
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      this.calls.push({ action, body });
      if ((this.throttle[action] ?? 0) > 0) {
        this.throttle[action]! -= 1;
        return { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
      }
      return this.handle(action, body);
    }, 'application/x-amz-json-1.0');
    this.server = server;
    return new SFNClient({
      endpoint: url,
      region: 'eu-west-1',
      credentials: TEST_CREDENTIALS,
      maxAttempts: 4,
    });
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private async handle(action: string, body: Record<string, unknown>): Promise<Reply> {
    if (action === 'StartExecution') {
      const arn = `${String(body.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(body.name)}`;
      const input = String(body.input);
      const script = await this.script(JSON.parse(input));
      this.executions.set(arn, { script, revealed: 0, input });
      return { status: 200, body: { executionArn: arn, startDate: Date.now() / 1000 } };
    }
    const arn = String(body.executionArn);
    const execution = this.executions.get(arn);
    if (!execution)
      return {
        status: 400,
        body: { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${arn}'` },
      };
    const events = execution.script.events.map((event, i) => ({
      timestamp: Date.now() / 1000,
      id: i + 1,
      previousEventId: i,
      ...event,
    }));
    if (action === 'GetExecutionHistory') {
      if (!body.nextToken)
        execution.revealed = Math.min(events.length, execution.revealed + (execution.script.perPoll ?? 3));
      const visible = events.slice(0, execution.revealed);
      const ordered = body.reverseOrder ? [...visible].reverse() : visible;
      const from = Number(body.nextToken ?? 0);
      const size = Number(body.maxResults ?? 100);
      const page = ordered.slice(from, from + size);
      return {
        status: 200,
        body: { events: page, ...(from + size < ordered.length ? { nextToken: String(from + size) } : {}) },
      };
    }
    if (action === 'DescribeExecution') {
      const last = events[Math.max(0, execution.revealed - 1)];
      const status =
        last?.type === 'ExecutionSucceeded'
          ? 'SUCCEEDED'
          : last?.type === 'ExecutionFailed'
            ? 'FAILED'
            : 'RUNNING';
      return {
        status: 200,
        body: {
          executionArn: arn,
          stateMachineArn: arn.replace(':execution:', ':stateMachine:').split(':').slice(0, -1).join(':'),
          status,
          startDate: Date.now() / 1000,
          input: execution.input,
          output: execution.script.output,
        },
      };
    }
    if (action === 'RedriveExecution') return { status: 200, body: { redriveDate: Date.now() / 1000 } };
    return { status: 400, body: { __type: 'InvalidAction', message: `unsupported ${action}` } };
  }
}

/** The shape API Gateway's IAM authorizer needs before it even checks the signature. */
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)\/(?<date>\d{8})\/(?<region>[a-z0-9-]+)\/(?<service>[a-z0-9-]+)\/aws4_request, SignedHeaders=(?<signed>[a-z0-9;-]+), Signature=(?<signature>[0-9a-f]{64})$/;

/**
 * A loopback API Gateway in front of a ledger API: it refuses a request whose Authorization is not
 * a SigV4 header for execute-api in eu-west-1 signing host and x-amz-date (403, as AWS does),
 * answers `throttleNext` requests with 429, and forwards the rest to `upstream`.
 */
export class FakeApiGateway {
  readonly requests: { path: string; authorization?: string; amzDate?: string }[] = [];
  throttleNext = 0;
  private server?: Server;

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    const { server, url } = await listen(async (req) => {
      const authorization = req.headers.authorization;
      const amzDate = req.headers['x-amz-date'] as string | undefined;
      this.requests.push({ path: req.url ?? '', authorization, amzDate });
      const shape = AUTHORIZATION.exec(authorization ?? '');
      const signed = shape?.groups?.signed.split(';') ?? [];
      if (
        !shape ||
        shape.groups!.service !== 'execute-api' ||
        shape.groups!.region !== 'eu-west-1' ||
        !signed.includes('host') ||
        !signed.includes('x-amz-date') ||
        !amzDate?.startsWith(shape.groups!.date!)
      )
        return { status: 403, body: { message: 'Missing Authentication Token' } };
      if (this.throttleNext > 0) {
        this.throttleNext -= 1;
        return { status: 429, body: { message: 'Too Many Requests' } };
      }
      const answer = await fetch(`${this.upstream}${req.url}`);
      return { status: answer.status, body: await answer.text() };
    }, 'application/json');
    this.server = server;
    return `${url}/`;
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

/** The history of one stage step as Step Functions records it: entered, then each attempt, then exited. */
export function taskEvents(
  stateName: string,
  attempts: readonly ({ ok: true } | { ok: false; error: string; cause: string } | { timedOut: true })[],
): ScriptedEvent[] {
  const events: ScriptedEvent[] = [
    { type: 'TaskStateEntered', stateEnteredEventDetails: { name: stateName, input: '{}' } },
  ];
  for (const attempt of attempts) {
    events.push({
      type: 'TaskScheduled',
      taskScheduledEventDetails: { resource: 'x', resourceType: 'x', region: 'eu-west-1', parameters: '{}' },
    });
    events.push({ type: 'TaskStarted', taskStartedEventDetails: { resource: 'x', resourceType: 'x' } });
    if ('timedOut' in attempt)
      events.push({
        type: 'TaskTimedOut',
        taskTimedOutEventDetails: { resource: 'x', resourceType: 'x', error: 'States.Timeout' },
      });
    else if (attempt.ok)
      events.push({
        type: 'TaskSucceeded',
        taskSucceededEventDetails: { resource: 'x', resourceType: 'x', output: '{}' },
      });
    else
      events.push({
        type: 'TaskFailed',
        taskFailedEventDetails: {
          resource: 'x',
          resourceType: 'x',
          error: attempt.error,
          cause: attempt.cause,
        },
      });
  }
  if (attempts.at(-1) && 'ok' in attempts.at(-1)! && (attempts.at(-1) as { ok: boolean }).ok)
    events.push({ type: 'TaskStateExited', stateExitedEventDetails: { name: stateName, output: '{}' } });
  return events;
}
