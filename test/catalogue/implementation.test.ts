import { implementationCases } from "./cases/implementation.js";
import { catalogue } from "./support.js";

catalogue("migration", implementationCases);
