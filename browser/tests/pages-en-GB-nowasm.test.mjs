// Every page in en-GB without WebAssembly: see lib/pagechecks.mjs.
import { suite } from '../lib/suite.mjs';
import { pageTests } from '../lib/pagechecks.mjs';

pageTests(suite(), 'en-GB', 'nowasm');
