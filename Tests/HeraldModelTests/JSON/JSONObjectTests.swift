import HeraldModel
import Testing

struct JSONObjectTests {
    /// Keys in insertion order; a repeated key changes nothing; `set` keeps a key's place.
    @Test(arguments: [3, 16, 17, 40])
    func keys_keepTheirOrder_firstValueWins_andSetKeepsThePlace(count: Int) {
        var object = JSONObject()
        for index in 0..<count {
            let added = object.insert("k\(index)", .number("\(index)"))
            #expect(added)
        }
        let again = object.insert("k0", .string("again"))
        #expect(!again)
        #expect(object["k0"] == .number("0"))
        #expect(object.keys == (0..<count).map { "k\($0)" })
        object.set("k1", .bool(true))
        object.set("new", .null)
        #expect(object.keys.count == count + 1 && object.keys[1] == "k1" && object.keys.last == "new")
        #expect(object["k1"] == .bool(true) && object["new"] == .null && object["k\(count - 1)"] == .number("\(count - 1)"))
        #expect(object["absent"] == nil && object.count == count + 1)
    }

    /// Equal when the same keys come in the same order with equal values, however the object was built.
    @Test func equality_isKeysInOrderAndValues() {
        let pairs = (0..<20).map { ("k\($0)", JSONValue.number("\($0)")) }
        var built = JSONObject()
        for (key, value) in pairs { built.set(key, value) }
        #expect(JSONObject(pairs) == built)
        #expect(JSONObject(Array(pairs.reversed())) != built)
        #expect(JSONObject([("a", .null), ("b", .bool(true))]) != JSONObject([("a", .null), ("b", .bool(false))]))
        #expect(JSONObject([("a", .null)]) != JSONObject([("a", .null), ("b", .null)]))
    }
}
