import HeraldModel
import Testing

@Suite struct UnsubscribeKeywordsTests {
    @Test func wholeMessage_caseAndAccentInsensitive_inSixLanguages() {
        let keywords = UnsubscribeKeywords(extra: ["basta così"])
        for text in ["STOP", " stop! ", "/stop", "Unsubscribe.", "Stop all", "DISISCRIVITI", "Baja", "Cancelar suscripción", "arrêt", "ARRÊTER", "Désabonner", "abmelden", "Stopp", "Cancelar inscrição", "sair", "basta cosi", "ＳＴＯＰ"] {
            #expect(keywords.matches(text), "\(text)")
        }
        for text in ["don't stop", "stop the spam please", "stopper", "hello", "", "cancel my order"] {
            #expect(!keywords.matches(text), "\(text)")
        }
    }
}
