import { rollbackCases } from "./cases/rollback.js";
import { catalogue } from "./support.js";

catalogue("rollback", rollbackCases);
