/** `lakepipe-<env>-<component>`: every resource name in every stack. */
export const PROJECT = 'lakepipe';

export function resourceName(env: string, component: string): string {
  return `${PROJECT}-${env}-${component}`;
}

/** The Glue database: `lakepipe_<env>` (Glue and Athena names take no dashes). */
export function glueDatabaseName(env: string): string {
  return `${PROJECT}_${env.replace(/-/g, '_')}`;
}

/** The SSM parameter path of a published name or ARN: `/lakepipe/<env>/<path>`. */
export function ssmParameterName(env: string, path: string): string {
  return `/${PROJECT}/${env}/${path.replace(/^\/+/, '')}`;
}

/** Bucket names are global: account and region keep them unique. */
export function bucketName(env: string, component: string, accountId: string, region: string): string {
  return `${PROJECT}-${env}-${component}-${accountId}-${region}`;
}
