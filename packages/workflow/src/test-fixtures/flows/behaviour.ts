/** Small pipelines for the behaviour tests; every stage is the `fake` stand-in. */
export const retryTwice = `
name: retry-twice
defaults: { retry: { maxAttempts: 2, intervalSeconds: 1, backoffRate: 2 } }
stages:
  flaky: { type: fake }
flow: [flaky]
`;

export const noRetry = `
name: no-retry
defaults: { retry: { maxAttempts: 3 } }
stages:
  flaky: { type: fake, retry: { maxAttempts: 0 } }
flow: [flaky]
`;

export const parallelThenReport = `
name: fan-out
stages:
  left: { type: fake }
  right: { type: fake }
  report: { type: fake }
flow:
  - parallel:
      - [left]
      - [right]
  - report
`;

export const choiceOnRatio = `
name: choose
stages:
  etl: { type: fake }
  warn: { type: notify, message: "reject ratio above 5%" }
  score: { type: fake }
flow:
  - etl
  - choice:
      - when: "$.etl.rejectedRatio > 0.05 and $.etl.rows > 0"
        then: [warn, score]
    otherwise: [score]
`;

export const failureDeepInside = `
name: nested
stages:
  etl: { type: fake }
  left: { type: fake }
  broken: { type: fake, retry: { maxAttempts: 1 } }
  after: { type: fake }
flow:
  - etl
  - choice:
      - when: "$.etl.rows >= 1"
        then:
          - parallel:
              - [left]
              - [broken]
    otherwise: [left]
  - after
`;
