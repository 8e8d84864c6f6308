// The composition root's light entry point: stage types and the registry, no cdktf.
// Stack factories (which load cdktf and every stack) are at @lakepipe/stages/stacks.
export * from './compile-for-env';
export * from './stage-types';
