/** The inproc/ cases against the reference stack (see ../family-test.ts). */
import { testFamilyOnReference } from "../family-test.ts";

testFamilyOnReference("inproc");
