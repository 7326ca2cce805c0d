import Foundation
import HeraldCore
import HeraldModel

extension HeraldStore {
    /// Accepts one job's text the way intake would a file (decoded, under a receipt), without a spool.
    public func accept(text: String, receipt: String, decoder: JobDecoder, now: Date = Date()) throws -> IntakeVerdict {
        let job = try decoder.decode(Array(text.utf8))
        let document = try JSONParser().parse(Array(text.utf8))
        let candidate = IntakeCandidate(
            receipt: receipt, fileName: receipt + ".json", body: text, job: job, document: document, jobID: job.id ?? JobID(unchecked: "j-" + receipt)
        )
        return try accept([candidate], now: now)[0]
    }
}
