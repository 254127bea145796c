#if !FUZZING
import BerrysDomain
import BerrysFuzzTargets
import Foundation

/// Without libFuzzer (a normal build), `berrys-fuzz TARGET PATH…` runs each file (or each file
/// of each folder) through the target once: the regression run of saved inputs. It exits 0
/// when every input passed; a broken property crashes it, as under the fuzzer.
@main
struct ReplayMain {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "seeds", let folder = arguments.dropFirst().first {
            try writeSeeds(to: folder)
            return
        }
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: berrys-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE|FOLDER…")
            print("       berrys-fuzz seeds FOLDER")
            print("  runs saved inputs through a fuzz target, or writes a seed corpus per target under FOLDER")
            print("  (scripts/fuzz builds the libFuzzer binary and runs it)")
            exit(arguments.contains("--help") || arguments.contains("-h") ? 0 : 64)
        }
        try FuzzTarget.prepare()
        var count = 0
        for path in arguments.dropFirst() {
            for file in try files(at: path) {
                target.run(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                count += 1
            }
        }
        print("\(target.rawValue): \(count) inputs, no failure")
    }

    /// Writes `FOLDER/<target>/seed-N` from the schemas folder.
    static func writeSeeds(to folder: String) throws {
        guard let schemas = BerrysSchemas.folder() else { throw FuzzSetupError("cannot find the schemas folder; set BERRYS_SCHEMAS_DIR") }
        for (target, inputs) in try FuzzTarget.seeds(schemasFolder: schemas) {
            let directory = URL(fileURLWithPath: folder).appendingPathComponent(target.rawValue)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (index, input) in inputs.enumerated() {
                try Data(input).write(to: directory.appendingPathComponent("seed-\(index)"))
            }
            print("\(target.rawValue): \(inputs.count) seeds in \(directory.path)")
        }
    }

    static func files(at path: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [path] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
    }
}
struct FuzzSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "berrys-fuzz: \(description)" }
}
#endif
