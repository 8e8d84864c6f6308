import { UnsupportedRegionError } from '../src/errors';

/**
 * The registry account of SageMaker's built-in XGBoost 1.7-1 image in each commercial region
 * (SageMaker's "Docker registry paths and example code" for XGBoost, the same table the
 * SageMaker Python SDK ships as image_uri_config/xgboost.json). China, GovCloud and ISO
 * partitions are left out: lakepipe deploys to the aws partition only.
 */
export const XGBOOST_1_7_1_REGISTRIES: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

export const XGBOOST_IMAGE_REPOSITORY = 'sagemaker-xgboost';
export const XGBOOST_IMAGE_TAG = '1.7-1';

/** `<account>.dkr.ecr.<region>.amazonaws.com/sagemaker-xgboost:1.7-1`; throws for an unknown region. */
export function xgboostImageUri(region: string): string {
  const account = XGBOOST_1_7_1_REGISTRIES[region];
  if (!account) throw new UnsupportedRegionError(region, Object.keys(XGBOOST_1_7_1_REGISTRIES));
  return `${account}.dkr.ecr.${region}.amazonaws.com/${XGBOOST_IMAGE_REPOSITORY}:${XGBOOST_IMAGE_TAG}`;
}

/** The image repository's ARN, for the execution role's ECR pull permission. */
export function xgboostRepositoryArn(region: string): string {
  xgboostImageUri(region);
  return `arn:aws:ecr:${region}:${XGBOOST_1_7_1_REGISTRIES[region]}:repository/${XGBOOST_IMAGE_REPOSITORY}`;
}
