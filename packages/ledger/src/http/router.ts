import { NotFoundError, Router } from '@aws-lambda-powertools/event-handler/http';
import {
  assertObjectKey,
  assertRunId,
  InvalidNameError,
  InvalidObjectKeyError,
  InvalidRunIdError,
} from '@lakepipe/lake';
import {
  InvalidCursorError,
  InvalidLedgerInputError,
  LedgerUnavailableError,
  RunNotFoundError,
} from '../errors';
import type { LedgerQueries } from '../types';

export interface LedgerRouterProps {
  readonly ledger: LedgerQueries;
  /**
   * Registers more routes on the same router (the local `lakepipe serve` mounts its HTML page
   * and static JSON this way). Ledger routes win on a clash: they are registered first.
   * @default only the ledger routes
   */
  readonly extraRoutes?: (router: Router) => void;
  /**
   * Receives unexpected errors (500s) before the generic message goes out.
   * @default console.error
   */
  readonly onUnexpectedError?: (error: Error) => void;
}

/** A JSON response (the API's only content type). */
export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** `?limit=` as a whole number, or undefined for the default; the ledger checks the range. */
function limitParameter(query: URLSearchParams, max: number): number | undefined {
  const text = query.get('limit');
  if (text === null) return undefined;
  const limit = Number(text);
  if (text.trim() === '' || !Number.isInteger(limit))
    throw new InvalidLedgerInputError('limit', text, `a whole number from 1 to ${max}`);
  return limit;
}

function errorResponse(status: number, error: Error): Response {
  return jsonResponse(status, { error: error.name, message: error.message });
}

/**
 * The ledger HTTP API, on Powertools for Lambda's router:
 * `GET /health`, `GET /runs?limit=&cursor=`, `GET /runs/{runId}`,
 * `GET /runs/{runId}/movements?stage=&limit=&cursor=`, `GET /objects?key=`.
 * Errors are `{ error, message }` with 400 (malformed input), 404 (unknown run or route),
 * 503 (DynamoDB throttling after retries) or 500.
 */
export function createLedgerRouter(props: LedgerRouterProps): Router {
  const { ledger } = props;
  const app = new Router();

  app.get('/health', () => jsonResponse(200, { status: 'ok' }));

  app.get('/runs', async ({ req }) => {
    const query = new URL(req.url).searchParams;
    const limit = limitParameter(query, 100);
    const page = await ledger.listRuns({ limit, cursor: query.get('cursor') ?? undefined });
    return jsonResponse(200, page);
  });

  app.get('/runs/:runId/movements', async ({ req, params }) => {
    const runId = assertRunId(params.runId ?? '');
    const query = new URL(req.url).searchParams;
    const page = await ledger.runMovements({
      runId,
      stageId: query.get('stage') ?? undefined,
      limit: limitParameter(query, 1000),
      cursor: query.get('cursor') ?? undefined,
    });
    return jsonResponse(200, page);
  });

  app.get('/runs/:runId', async ({ params }) => {
    const runId = assertRunId(params.runId ?? '');
    const run = await ledger.getRun(runId);
    if (run === undefined) throw new RunNotFoundError(runId, 'ledger');
    return jsonResponse(200, run);
  });

  app.get('/objects', async ({ req }) => {
    const key = new URL(req.url).searchParams.get('key');
    if (key === null)
      throw new InvalidObjectKeyError(
        '',
        'the key query parameter is missing: GET /objects?key=raw/<dataset>/...',
      );
    assertObjectKey(key);
    const movements = await ledger.objectHistory(key);
    return jsonResponse(200, { key, movements });
  });

  props.extraRoutes?.(app);

  app.errorHandler<Error>(
    [InvalidRunIdError, InvalidObjectKeyError, InvalidNameError, InvalidCursorError, InvalidLedgerInputError],
    async (error) => errorResponse(400, error),
  );
  app.errorHandler(URIError, async (_error, { req }) =>
    jsonResponse(400, {
      error: 'MalformedPathError',
      message: `${new URL(req.url).pathname} has a malformed %-escape: encode path and query with encodeURIComponent`,
    }),
  );
  app.errorHandler(RunNotFoundError, async (error) =>
    jsonResponse(404, {
      error: error.name,
      message: `run ${error.runId} is not in the ledger: list runs with GET /runs`,
    }),
  );
  app.errorHandler(LedgerUnavailableError, async (error) => errorResponse(503, error));
  app.notFound(async (_error, { req }) =>
    jsonResponse(404, {
      error: 'RouteNotFoundError',
      message: `no route ${req.method} ${new URL(req.url).pathname}: try GET /health, /runs, /runs/{runId}, /runs/{runId}/movements or /objects?key=`,
    }),
  );
  app.errorHandler(Error, async (error) => {
    if (error instanceof NotFoundError) return errorResponse(404, error);
    (props.onUnexpectedError ?? console.error)(error);
    return jsonResponse(500, {
      error: 'InternalServerError',
      message: 'the ledger API failed unexpectedly; see its logs',
    });
  });
  return app;
}
