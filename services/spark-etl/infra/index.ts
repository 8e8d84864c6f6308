export * from './glue-job-artifacts';
export * from './spark-etl-catalog-stack';
export * from './spark-etl-stack';
