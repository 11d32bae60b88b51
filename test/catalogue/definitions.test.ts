import { definitionCases } from "./cases/definitions.js";
import { catalogue } from "./support.js";

catalogue("definitions", definitionCases);
