// Every page in cy without WebAssembly: see lib/pagechecks.mjs.
import { suite } from '../lib/suite.mjs';
import { pageTests } from '../lib/pagechecks.mjs';

pageTests(suite(), 'cy', 'nowasm');
