// The benchmark's floor: a function that returns what it was given, served exactly like the
// real one (server.ts), so the ratio between the two is the cost of composing alone.
import { to } from '@crossplane-org/function-sdk-typescript';
import { serveFromCommandLine } from '../../functions/k8tre/server.js';

serveFromCommandLine({ RunFunction: (req) => Promise.resolve(to(req)) }, 'function-noop');
