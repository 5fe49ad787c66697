// Every page in cy with WebAssembly: see lib/pagechecks.mjs.
import { suite } from '../lib/suite.mjs';
import { pageTests } from '../lib/pagechecks.mjs';

pageTests(suite(), 'cy', 'wasm');
