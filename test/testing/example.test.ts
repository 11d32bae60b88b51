// Runs the example a user copies (examples/testing/migration.test.ts), so it stays true.
import "../../examples/testing/migration.test.js";
