// SASL mechanisms without a broker: PLAIN's message, SCRAM-SHA-256 on RFC 7677's test vector, SCRAM's refusals,
// OAUTHBEARER's messages (RFC 7628) and token files, and when to re-authenticate (KIP-368).
#include "protocol/io/sasl_mechanism.hpp"

#include <gtest/gtest.h>

namespace kspout::io {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr std::string_view rfc_nonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view rfc_server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view rfc_client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view rfc_server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

std::unique_ptr<sasl_mechanism> rfc_client()
{
    return make_scram(scram_hash::sha256, "user", "pencil", std::string(rfc_nonce));
}

TEST(SaslMechanism, PlainSendsUserAndPasswordOnceThenFinishes)
{
    auto plain = make_sasl_mechanism({"PLAIN", "alice", "secret", ""}, "unused");
    std::string why;
    EXPECT_EQ(plain->respond("", why), std::string("\0alice\0secret", 13));
    EXPECT_FALSE(plain->finished());
    EXPECT_EQ(plain->respond("", why), "");
    EXPECT_TRUE(plain->finished());
}

TEST(SaslMechanism, ScramSha256FollowsRfc7677)
{
    auto scram = rfc_client();
    std::string why;
    EXPECT_EQ(scram->respond("", why), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    EXPECT_EQ(scram->respond(rfc_server_first, why), rfc_client_final) << why;
    EXPECT_FALSE(scram->finished());
    EXPECT_EQ(scram->respond(rfc_server_final, why), "") << why;
    EXPECT_TRUE(scram->finished());
}

TEST(SaslMechanism, ScramRefusesAServerThatCannotProveItKnowsTheCredentials)
{
    auto scram = rfc_client();
    std::string why;
    scram->respond("", why);
    scram->respond(rfc_server_first, why);
    EXPECT_FALSE(scram->respond("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", why));
    EXPECT_NE(why.find("signature does not verify"), std::string::npos) << why;
    EXPECT_FALSE(scram->finished());
}

TEST(SaslMechanism, ScramRefusesMalformedOrForeignServerMessages)
{
    for (std::string_view server_first : {
             std::string_view("r=someone-elses-nonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
             std::string_view("r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), // not extended
             std::string_view("r=rOprNGfwEbeRWgbNEkqOxyz,s=not base64!,i=4096"),
             std::string_view("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=many"),
             // Rounds that would stall the event loop (found by fuzz_sasl: 11 s and counting), and too few.
             std::string_view("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000"),
             std::string_view("r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095"),
             std::string_view("e=unknown-user"),
         }) {
        auto scram = rfc_client();
        std::string why;
        scram->respond("", why);
        EXPECT_FALSE(scram->respond(server_first, why)) << server_first;
        EXPECT_FALSE(why.empty()) << server_first;
        EXPECT_EQ(why.find("pencil"), std::string::npos) << why;
    }
}

// A broker's e= text, at either step, is quoted cut to a bound and made printable.
TEST(SaslMechanism, ScramQuotesARefusalAsABoundedPrintableExcerpt)
{
    const std::string said = "e=\x1b[2J" + std::string(20'000, 'y');
    auto first = rfc_client();
    std::string why;
    first->respond("", why);
    EXPECT_FALSE(first->respond(said, why));
    EXPECT_NE(why.find("SCRAM: the broker refused: \\x1b[2Jyyy"), std::string::npos) << why;
    EXPECT_NE(why.find("... (20004 bytes)"), std::string::npos) << why;
    EXPECT_LT(why.size(), 300u);

    auto final = rfc_client();
    std::string final_why;
    final->respond("", final_why);
    ASSERT_TRUE(final->respond(rfc_server_first, final_why)) << final_why;
    EXPECT_FALSE(final->respond(said, final_why));
    EXPECT_EQ(final_why, why);
}

TEST(SaslMechanism, ScramEscapesCommasAndEqualsInTheUserName)
{
    auto scram = make_scram(scram_hash::sha512, "a,b=c", "pw", "nonce");
    std::string why;
    EXPECT_EQ(scram->respond("", why), "n,,n=a=2Cb=3Dc,r=nonce");
}

TEST(SaslMechanism, UnknownMechanismsHaveNoClient)
{
    EXPECT_EQ(make_sasl_mechanism({"GSSAPI", "u", "p", ""}, "n"), nullptr);
    EXPECT_NE(make_sasl_mechanism({"SCRAM-SHA-512", "u", "p", ""}, "n"), nullptr);
}

constexpr std::string_view unsecured_jws = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.";

TEST(SaslMechanism, OauthbearerSendsRfc7628sInitialResponseThenFinishes)
{
    auto bearer = make_oauthbearer(std::string(unsecured_jws));
    std::string why;
    // Spelled out: "\x01auth" would be one character, 0x1a, then "uth".
    const std::string expected = std::string("n,,") + char(1) + "auth=Bearer " + std::string(unsecured_jws) + char(1) + char(1);
    EXPECT_EQ(bearer->respond("", why), expected);
    EXPECT_FALSE(bearer->finished());
    EXPECT_EQ(bearer->respond("", why), ""); // the broker's empty answer: accepted
    EXPECT_TRUE(bearer->finished());
    EXPECT_EQ(bearer->refusal(), "");
}

TEST(SaslMechanism, OauthbearerAnswersARefusalWithOneSeparatorAndKeepsTheStatus)
{
    auto bearer = make_oauthbearer(std::string(unsecured_jws));
    std::string why;
    bearer->respond("", why);
    EXPECT_EQ(bearer->respond(R"({"status":"invalid_token","scope":"kafka"})", why), std::string(1, '\x01'));
    EXPECT_FALSE(bearer->finished());
    EXPECT_EQ(bearer->refusal(), "status invalid_token, scope kafka");
    EXPECT_FALSE(bearer->respond("", why)); // the broker fails the exchange instead
    EXPECT_EQ(why.find(unsecured_jws), std::string::npos) << why;
}

TEST(SaslMechanism, OauthbearerSaysSoWhenARefusalIsNotJson)
{
    auto bearer = make_oauthbearer(std::string(unsecured_jws));
    std::string why;
    bearer->respond("", why);
    EXPECT_EQ(bearer->respond("nope", why), std::string(1, '\x01'));
    EXPECT_EQ(bearer->refusal(), "an error that is not RFC 7628's JSON");
}

TEST(SaslMechanism, OauthbearerQuotesARefusalsStatusAndScopeAsBoundedPrintableExcerpts)
{
    auto bearer = make_oauthbearer(std::string(unsecured_jws));
    std::string why;
    bearer->respond("", why);
    const std::string long_scope(10'000, 's');
    bearer->respond(R"({"status":"bad\u001b[2J","scope":")" + long_scope + R"("})", why);
    EXPECT_EQ(bearer->refusal(), "status bad\\x1b[2J, scope " + long_scope.substr(0, 200) + "... (10000 bytes)");
}

TEST(SaslMechanism, BearerTokenIsTheFilesTrimmedB64token)
{
    std::string why;
    EXPECT_EQ(bearer_token(std::string(unsecured_jws) + "\n", why), unsecured_jws);
    EXPECT_EQ(bearer_token("  \tabc.DEF-_~+/0==\r\n", why), "abc.DEF-_~+/0==");
}

TEST(SaslMechanism, BearerTokenRefusesWhatIsNoTokenWithoutQuotingIt)
{
    for (std::string_view contents : {std::string_view(""), std::string_view(" \n"), std::string_view("abc def"),
                                      std::string_view("secret\x01" "auth=x"), std::string_view("{\"a\":1}"),
                                      std::string_view("=abc"), std::string_view("abc=d")}) {
        std::string why;
        EXPECT_FALSE(bearer_token(contents, why)) << contents;
        EXPECT_FALSE(why.empty());
        if (contents.size() > 2) {
            EXPECT_EQ(why.find(contents), std::string::npos) << why;
        }
    }
}

TEST(SaslMechanism, ReauthenticationComesBetween85And95PercentOfTheSession)
{
    using std::chrono::milliseconds;
    EXPECT_EQ(reauthentication_delay(milliseconds(0), 0.5), std::nullopt);
    EXPECT_EQ(reauthentication_delay(milliseconds(-1), 0.5), std::nullopt);
    EXPECT_EQ(reauthentication_delay(milliseconds(10000), 0.0), milliseconds(8500));
    EXPECT_EQ(reauthentication_delay(milliseconds(10000), 0.5), milliseconds(9000));
    EXPECT_EQ(reauthentication_delay(milliseconds(10000), 0.999), milliseconds(9499));
    EXPECT_EQ(reauthentication_delay(milliseconds(10000), 7.0), milliseconds(9500)); // clamped
}

} // namespace
} // namespace kspout::io
