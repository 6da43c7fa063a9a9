/** TEST STAND-IN for `k6/execution`: the iteration counter the exported script reads, set by the test. */
export default { scenario: { iterationInTest: 0 } };
