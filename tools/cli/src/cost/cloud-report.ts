import type { CostReport } from '@lakepipe/cost';
import { type CloudContextOverrides, cloudContextFor, findDeployment } from '../cloud/context';
import { CloudLedgerClient } from '../cloud/ledger-client';
import { type LocalCostProps, localCostReport } from './local-report';

/**
 * `lakepipe cost --cloud --env ENV`: the runs of the deployed environment's ledger (its HTTP API,
 * SigV4), priced with their recorded times: the Glue and transform jobs ran for real, nothing is scaled.
 */
export async function cloudCostReport(
  props: Omit<LocalCostProps, 'times'>,
  deps: { readonly aws?: CloudContextOverrides } = {},
): Promise<CostReport> {
  const context = cloudContextFor(props.env, deps.aws);
  try {
    const deployment = await findDeployment(context, { ledgerApi: true });
    const ledger = new CloudLedgerClient({
      baseUrl: deployment.ledgerApiUrl!,
      region: context.region,
      credentials: context.credentials,
      fetch: context.fetch,
    });
    return await localCostReport(ledger, { ...props, times: 'cloud' });
  } finally {
    context.close();
  }
}
