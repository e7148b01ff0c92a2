import Mirror
import Testing

@Suite struct MirrorFileStateTests {
    @Test func statesAreStoredByTheirStableNames() {
        #expect(MirrorFileState.allCases.map(\.rawValue) == ["pending", "downloading", "done", "dead"])
    }
}
