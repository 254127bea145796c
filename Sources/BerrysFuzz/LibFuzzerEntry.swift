#if FUZZING
import BerrysFuzzTargets
import Foundation

// The libFuzzer build (scripts/fuzz: -sanitize=fuzzer,address -DFUZZING). The target is chosen
// by BERRYS_FUZZ_TARGET (json, schema, envelope, cloudevent); every other argument is
// libFuzzer's. SwiftPM links an executable's own entry point as `main`, so libFuzzer's `main` is
// not used: this one hands over to libFuzzer's driver.

/// libFuzzer's driver, for programs with a `main` of their own.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// The target this process fuzzes, read once.
let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["BERRYS_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("berrys-fuzz: set BERRYS_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(64)
    }
    return target
}()

@main
struct FuzzMain {
    static func main() {
        do { try FuzzTarget.prepare() } catch {
            FileHandle.standardError.write(Data("berrys-fuzz: \(error)\n".utf8))
            exit(78)
        }
        _ = fuzzTarget
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            fuzzTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
    }
}
#endif
