import Foundation
import HeraldCore
import Testing

@Suite final class DirectoryMakerTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("herald-dirs-\(UUID().uuidString)").path

    deinit { try? FileManager.default.removeItem(atPath: root) }

    @Test func make_createsEveryMissingLevel_withItsMode_andLeavesAnExistingOneAlone() throws {
        let path = root + "/a/b/c"
        try DirectoryMaker.make(path, mode: 0o750)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode & 0o027 == 0, "group write and any access by others are never granted: \(String(mode, radix: 8))")
        try DirectoryMaker.make(path, mode: 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == mode)
    }

    @Test func make_whereAFileStands_saysWhichPathAndWhy() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/taken"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        for target in [file, file + "/spool"] {
            do {
                try DirectoryMaker.make(target)
                Issue.record("made \(target) where a file stands")
            } catch {
                #expect("\(error)" == "mkdir \(file): Not a directory", "\(error)")
            }
        }
    }

    @Test func make_whereNothingCanBeMade_namesTheSystemsReason() {
        do {
            try DirectoryMaker.make("/proc/herald-no-such/spool")
            Issue.record("made a directory under /proc")
        } catch {
            #expect("\(error)".hasPrefix("mkdir /proc/herald-no-such: "), "\(error)")
        }
    }
}
