// Every page in a right-to-left catalogue, part 1 of 2: see lib/rtl.mjs.
import { rtlTests } from '../lib/rtl.mjs';

rtlTests(0, 2);
