import { builderCases, jsonCases } from "./cases/patch.js";
import { catalogue } from "./support.js";

catalogue("patch", builderCases);
catalogue("json", jsonCases);
