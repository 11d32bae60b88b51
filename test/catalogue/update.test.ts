import { commitCases, migrationCases, optionCases, patchFitCases, validationCases } from "./cases/update.js";
import { catalogue } from "./support.js";

catalogue("migration", [...patchFitCases, ...migrationCases]);
catalogue("validation", validationCases);
catalogue("commit", commitCases);
catalogue("options", optionCases);
