import { reflectionCases } from "./cases/reflection.js";
import { catalogue } from "./support.js";

catalogue("reflection", reflectionCases);
