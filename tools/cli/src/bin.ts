import { buildProgram } from './program';

// aws-local-stepfunctions 3 uses Promise.withResolvers, which Node 20 lacks.
import './polyfills';

await buildProgram().parseAsync(process.argv);
