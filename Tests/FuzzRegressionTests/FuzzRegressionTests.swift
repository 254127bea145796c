import BerrysDomain
import BerrysFuzzTargets
import Foundation
import TestSupport
import Testing

/// The fuzz targets' properties on their seed corpus, on hostile inputs made by hand, and on
/// every input a fuzzing run saved under Tests/FuzzRegressions/TARGET/ (a crash there would
/// crash this test process).
@Suite struct FuzzRegressionTests {
    static let regressions = TestServers.projectRoot.appendingPathComponent("Tests/FuzzRegressions")

    /// Yields between inputs: several seconds of CPU in one go held one of the two cooperative
    /// threads, and the stall detector's stack dumps caught it stalling the other tests.
    @Test(arguments: FuzzTarget.allCases)
    func seedsAndSavedInputsKeepTheProperties(_ target: FuzzTarget) async throws {
        try FuzzTarget.prepare()
        let schemas = try #require(BerrysSchemas.folder())
        let seeds = try FuzzTarget.seeds(schemasFolder: schemas)[target] ?? []
        #expect(seeds.count > 20, "\(target): only \(seeds.count) seeds")
        for input in seeds + Self.hostile {
            target.run(input)
            await Task.yield()
        }
        let saved = Self.regressions.appendingPathComponent(target.rawValue)
        for file in (try? FileManager.default.contentsOfDirectory(at: saved, includingPropertiesForKeys: nil)) ?? [] {
            target.run(Array(try Data(contentsOf: file)))
            await Task.yield()
        }
    }

    /// Inputs of the kinds the fault issue lists: deep nesting, huge and odd numbers, invalid
    /// UTF-8, duplicate keys, control characters, lone surrogates.
    static let hostile: [[UInt8]] = [
        Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8),
        Array((String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)).utf8),
        Array("1e400".utf8), Array("-1e400".utf8), Array("[1e-400, 123456789012345678901234567890]".utf8),
        Array("-0".utf8), Array("0.1e1".utf8), Array("1E+2".utf8),
        [0x22, 0xff, 0xfe, 0x22], [0x22, 0xc3, 0x28, 0x22], [0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d],
        Array(#"{"a":1,"a":2}"#.utf8), Array(#"{"type":"object","type":"string"}"#.utf8),
        Array(#""\ud800""#.utf8), Array(#""\udc00\ud800""#.utf8), Array("\"\u{01}\"".utf8),
        Array(##"{"$ref":"#","type":"object"}"##.utf8), Array(#"{"pattern":"(((("}"#.utf8),
        Array(#"{"multipleOf":0}"#.utf8), Array(#"{"minLength":-1}"#.utf8), Array(##"{"items":{"$ref":"#/items"}}"##.utf8),
        Array("specversion=1.0\nid=x\nsource=s\ntype=agent.created\ndataversion=99999999999999999999\nsubject=s\ntime=t\ndata={}".utf8),
        Array("specversion=1.0\nid=x\nsource=s\ntype=t\ndataversion=1\nsubject=s\ntime=t\ndata=[[[[[[[[".utf8),
        [],
    ]
}
