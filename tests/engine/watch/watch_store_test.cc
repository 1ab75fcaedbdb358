// The watch module's own parts: subjects and rules as typed (bad ones refused with what is wrong),
// the record codecs, the store (ids, removal, one alert per (watch, block), the outbox, reopening),
// and the webhook's URL and backoff.
#include "engine/watch/watch_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/watch/watch.h"
#include "engine/watch/webhook.h"
#include "tests/testutil.h"

namespace ariadne::watch {
namespace {

using ::ariadne::IsOk;
using ::ariadne::StatusIs;
using ::ariadne::StatusIsWithMessage;
using ::ariadne::testing::MakeTempDir;

TEST(WatchRuleTest, ParsesSubjects) {
  auto a = ParseSubject("bcrt1qexampleaddress0");
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->kind, Subject::Kind::kAddress);
  auto c = ParseSubject("cluster:42");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->kind, Subject::Kind::kCluster);
  EXPECT_EQ(c->cluster_id, 42u);
  const std::string txid(64, 'A');
  auto o = ParseSubject(txid + ":3");
  ASSERT_THAT(o, IsOk());
  EXPECT_EQ(o->kind, Subject::Kind::kOutpoint);
  EXPECT_EQ(FormatSubject(*o), std::string(64, 'a') + ":3");
}

TEST(WatchRuleTest, RefusesBadSubjectsNamingThem) {
  EXPECT_THAT(ParseSubject(""), StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "empty"));
  EXPECT_THAT(ParseSubject("cluster:x"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "cluster:x"));
  EXPECT_THAT(ParseSubject("abcd:1"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "TXID:VOUT"));
  EXPECT_THAT(ParseSubject(std::string(64, 'a') + ":-1"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSubject("1A1z' OR 1=1"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "letters and digits"));
  EXPECT_THAT(ParseSubject(std::string(300, 'a')),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "at most 256"));
}

TEST(WatchRuleTest, ParsesRulesWithDefaults) {
  auto m = ParseRule("");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(FormatRule(*m), "moves");
  auto r = ParseRule("reaches");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(FormatRule(*r), "reaches:exchange:3");
  auto c = ParseRule("reaches:mixer:2");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->category, "mixer");
  EXPECT_EQ(c->hops, 2u);
}

TEST(WatchRuleTest, RefusesBadRulesNamingThem) {
  for (const char* bad : {"move", "reaches:", "reaches:exchange:0", "reaches:exchange:11",
                          "reaches:exchange:3:4", "reaches:ex change", "reaches:exchange:x"}) {
    EXPECT_THAT(ParseRule(bad), StatusIsWithMessage(absl::StatusCode::kInvalidArgument, bad))
        << bad;
  }
}

Alert SampleAlert() {
  Alert a;
  a.watch_id = 7;
  a.case_id = "CASE-1";
  a.subject = "bcrt1qabc";
  a.rule = "reaches:exchange:3";
  a.block_height = 61;
  a.block_hash = std::string(64, 'f');
  a.block_time = 1700000000;
  a.txids = {std::string(64, '1'), std::string(64, '2')};
  a.received = 12345;
  AlertPath p;
  p.steps.push_back({"a", "b", std::string(64, '1'), 60, 1000, 500, 1});
  p.steps.push_back({"b", "c", std::string(64, '2'), 61, 900, -1, 2});
  p.endpoint = "c";
  p.label = "Some Exchange";
  p.category = "exchange";
  p.tainted_value = 450;
  a.paths.push_back(p);
  a.delivery.state = Delivery::State::kPending;
  a.delivery.last_error = "answered 500";
  return a;
}

TEST(WatchStoreTest, RecordsRoundTripAndTruncationIsDataLoss) {
  const Alert a = SampleAlert();
  const std::string bytes = EncodeAlert(a);
  auto back = DecodeAlert(bytes);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(EncodeAlert(*back), bytes);
  EXPECT_EQ(back->paths[0].steps[1].tainted_value, -1);
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    EXPECT_THAT(DecodeAlert(bytes.substr(0, cut)), StatusIs(absl::StatusCode::kDataLoss)) << cut;
  }
  Watch w;
  w.subject = *ParseSubject("cluster:9");
  w.rule = *ParseRule("reaches:mixer:2");
  w.case_id = "C";
  w.evaluated_height = 99;
  const std::string wb = EncodeWatch(w);
  auto wback = DecodeWatch(wb);
  ASSERT_THAT(wback, IsOk());
  EXPECT_EQ(EncodeWatch(*wback), wb);
  EXPECT_THAT(DecodeWatch(wb + "x"), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(WatchStoreTest, AddsListsRemovesAndRaisesOncePerWatchAndBlock) {
  const std::filesystem::path dir = MakeTempDir("watch_store");
  {
    auto store = WatchStore::Open(dir / "w");
    ASSERT_THAT(store, IsOk());
    Watch w;
    w.subject = *ParseSubject("bcrt1qabc");
    w.case_id = "CASE-1";
    auto one = (*store)->Add(w);
    ASSERT_THAT(one, IsOk());
    EXPECT_EQ(one->id, 1u);
    w.case_id = "CASE-2";
    auto two = (*store)->Add(w);
    ASSERT_THAT(two, IsOk());
    EXPECT_EQ(two->id, 2u);
    auto list = (*store)->List("CASE-2");
    ASSERT_THAT(list, IsOk());
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].id, 2u);
    EXPECT_THAT((*store)->Remove(99), StatusIsWithMessage(absl::StatusCode::kNotFound, "99"));
    ASSERT_THAT((*store)->Remove(2), IsOk());

    Alert a = SampleAlert();
    auto raised = (*store)->CommitEvaluation(1, 61, a.block_hash, {a});
    ASSERT_THAT(raised, IsOk());
    ASSERT_EQ(raised->size(), 1u);
    EXPECT_EQ((*raised)[0].id, 1u);
    // The same block again (a rewind that finds it unchanged): nothing new.
    raised = (*store)->CommitEvaluation(1, 61, a.block_hash, {a});
    ASSERT_THAT(raised, IsOk());
    EXPECT_TRUE(raised->empty());
    // Another block at that height (the other branch of a reorg): a new alert.
    Alert b = a;
    b.block_hash = std::string(64, 'e');
    raised = (*store)->CommitEvaluation(1, 61, b.block_hash, {b});
    ASSERT_THAT(raised, IsOk());
    ASSERT_EQ(raised->size(), 1u);
    EXPECT_EQ((*raised)[0].id, 2u);
    // A removed watch commits nothing.
    raised = (*store)->CommitEvaluation(2, 61, a.block_hash, {a});
    ASSERT_THAT(raised, IsOk());
    EXPECT_TRUE(raised->empty());
    auto watch = (*store)->Get(1);
    ASSERT_THAT(watch, IsOk());
    EXPECT_EQ(watch->evaluated_height, 61);
    auto outbox = (*store)->Outbox(10);
    ASSERT_THAT(outbox, IsOk());
    ASSERT_EQ(outbox->size(), 2u);
    Alert done = (*outbox)[0];
    done.audited = true;
    ASSERT_THAT((*store)->UpdateAlert(done, /*done=*/true), IsOk());
    EXPECT_EQ((*store)->Outbox(10)->size(), 1u);
    EXPECT_TRUE((*store)->WaitForAlert(1, absl::ZeroDuration()));
    EXPECT_FALSE((*store)->WaitForAlert(2, absl::Milliseconds(10)));
  }
  // Reopened: ids go on (a removed watch's id is not reused), alerts and state stay.
  auto store = WatchStore::Open(dir / "w");
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ((*store)->last_alert_id(), 2u);
  Watch w;
  w.subject = *ParseSubject("bcrt1qdef");
  w.case_id = "CASE-3";
  auto three = (*store)->Add(w);
  ASSERT_THAT(three, IsOk());
  EXPECT_EQ(three->id, 3u);
  auto alerts = (*store)->Alerts(0, 10);
  ASSERT_THAT(alerts, IsOk());
  ASSERT_EQ(alerts->size(), 2u);
  EXPECT_TRUE((*alerts)[0].audited);
  EXPECT_EQ((*store)->Alerts(1, 10, "OTHER")->size(), 0u);
  // A second server on the same folder is refused, naming it.
  EXPECT_THAT(WatchStore::Open(dir / "w"), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(WatchStoreTest, KeepsTheEvaluatedBlockHashes) {
  auto store = WatchStore::Open(MakeTempDir("watch_blocks") / "w");
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->RecordBlocks({{5, "h5"}, {6, "h6"}}), IsOk());
  EXPECT_EQ(*(*store)->EvaluatedHash(6).value(), "h6");
  EXPECT_FALSE((*store)->EvaluatedHash(7).value().has_value());
  ASSERT_THAT((*store)->RecordBlocks({{5 + kKeptBlockHashes + 1, "far"}}), IsOk());
  EXPECT_FALSE((*store)->EvaluatedHash(5).value().has_value());
}

TEST(WebhookTest, ParsesUrlsAndRefusesOthers) {
  auto u = ParseWebhookUrl("http://127.0.0.1:8080/hooks/alerts");
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path, "/hooks/alerts");
  auto v6 = ParseWebhookUrl("http://[::1]:9/");
  ASSERT_THAT(v6, IsOk());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_THAT(ParseWebhookUrl("https://example.org/"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "https is not supported"));
  EXPECT_THAT(ParseWebhookUrl("ftp://x/"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseWebhookUrl("http://:80/"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseWebhookUrl("http://h:99999/"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseWebhookUrl("http://h/a b"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(WebhookTest, BacksOffDoublingUpToTheCap) {
  EXPECT_EQ(Backoff(1, absl::Seconds(1), absl::Minutes(5)), absl::Seconds(1));
  EXPECT_EQ(Backoff(3, absl::Seconds(1), absl::Minutes(5)), absl::Seconds(4));
  EXPECT_EQ(Backoff(40, absl::Seconds(1), absl::Minutes(5)), absl::Minutes(5));
}

TEST(WebhookTest, UnreachableReceiverIsUnavailableNamingIt) {
  auto u = ParseWebhookUrl("http://127.0.0.1:1/x");
  ASSERT_THAT(u, IsOk());
  EXPECT_THAT(PostJson(*u, "{}", absl::Seconds(2)),
              StatusIsWithMessage(absl::StatusCode::kUnavailable, "127.0.0.1:1"));
}

}  // namespace
}  // namespace ariadne::watch
