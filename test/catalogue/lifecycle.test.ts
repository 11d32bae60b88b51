import { lifecycleCases } from "./cases/lifecycle.js";
import { catalogue } from "./support.js";

catalogue("lifecycle", lifecycleCases);
