// Policy specs: parsing, the canonical form, and clear errors.
#include "heuristics/policy.h"

#include "tests/testutil.h"

namespace ariadne::heuristics {
namespace {

TEST(Policy, SpecRoundTripsThroughItsCanonicalForm) {
  auto p = ParsePolicy("ci,change=fresh_address+address_type|peel_chain,round=1000,guard=5");
  ASSERT_THAT(p, IsOk());
  EXPECT_TRUE(p->common_input);
  ASSERT_EQ(p->change_rules.size(), 2u);
  EXPECT_EQ(p->change_rules[0],
            Bit(ChangeHeuristic::kFreshAddress) | Bit(ChangeHeuristic::kAddressType));
  EXPECT_EQ(p->change_rules[1], Bit(ChangeHeuristic::kPeelChain));
  EXPECT_EQ(p->round_unit, 1000);
  EXPECT_EQ(p->guard_size, 5u);
  const std::string canonical = p->ToSpec();
  EXPECT_EQ(canonical,
            "ci,change=address_type+fresh_address|peel_chain,coinjoin=on,round=1000,"
            "max-outputs=100,guard=5");
  auto again = ParsePolicy(canonical);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *p);
  // round-digits appears in the canonical form only when set, so specs stored before it existed
  // keep their meaning.
  auto digits = ParsePolicy("ci,change=own_address|round_payment,round-digits=2");
  ASSERT_THAT(digits, IsOk());
  EXPECT_EQ(digits->round_digits, 2);
  EXPECT_EQ(digits->ToSpec(),
            "ci,change=own_address|round_payment,coinjoin=on,round=100000,round-digits=2,"
            "max-outputs=100,guard=100");
}

// type-upgrade appears in the canonical form only when set, so specs stored before it existed keep
// their meaning; the default sets it.
TEST(Policy, TypeUpgradeRoundTripsAndIsInTheDefault) {
  for (const char* mode : {"nested", "abstain"}) {
    auto p = ParsePolicy(std::string("ci,change=address_type+fresh_address,type-upgrade=") + mode);
    ASSERT_THAT(p, IsOk());
    EXPECT_EQ(p->ToSpec(), std::string("ci,change=address_type+fresh_address,coinjoin=on,"
                                       "round=100000,type-upgrade=") +
                               mode + ",max-outputs=100,guard=100");
    EXPECT_EQ(*ParsePolicy(p->ToSpec()), *p);
  }
  auto ignore = ParsePolicy("ci,change=address_type,type-upgrade=ignore");
  ASSERT_THAT(ignore, IsOk());
  EXPECT_EQ(ignore->ToSpec(),
            "ci,change=address_type,coinjoin=on,round=100000,max-outputs=100,"
            "guard=100");
  EXPECT_EQ(DefaultPolicy().type_upgrade, ClusteringPolicy::TypeUpgrade::kAbstain);
  EXPECT_THAT(ParsePolicy("ci,type-upgrade=always"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "type-upgrade"));
}

TEST(Policy, ScriptGenerations) {
  EXPECT_EQ(ScriptGeneration(ScriptType::kP2pkh), 0);
  EXPECT_EQ(ScriptGeneration(ScriptType::kP2sh), 0);
  EXPECT_EQ(ScriptGeneration(ScriptType::kP2wpkh), 1);
  EXPECT_EQ(ScriptGeneration(ScriptType::kP2wsh), 1);
  EXPECT_EQ(ScriptGeneration(ScriptType::kP2tr), 2);
  EXPECT_EQ(ScriptGeneration(ScriptType::kOpReturn), -1);
}

TEST(Policy, IsRound) {
  ClusteringPolicy p;
  EXPECT_TRUE(p.IsRound(300'000));
  EXPECT_FALSE(p.IsRound(350'000));
  EXPECT_FALSE(p.IsRound(0));
  p.round_digits = 2;
  EXPECT_TRUE(p.IsRound(350'000));
  EXPECT_TRUE(p.IsRound(12));
  EXPECT_TRUE(p.IsRound(1'500'000'000));
  EXPECT_FALSE(p.IsRound(351'000));
  EXPECT_FALSE(p.IsRound(123));
}

TEST(Policy, NamedPolicies) {
  auto ci = ParsePolicy("common-input");
  ASSERT_THAT(ci, IsOk());
  EXPECT_TRUE(ci->common_input);
  EXPECT_TRUE(ci->change_rules.empty());
  auto d = ParsePolicy("default");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(*d, DefaultPolicy());
  EXPECT_FALSE(DefaultPolicy().change_rules.empty());
  auto loose = ParsePolicy("default,guard=1000");  // the default with one setting overridden
  ASSERT_THAT(loose, IsOk());
  EXPECT_EQ(loose->guard_size, 1000u);
  EXPECT_EQ(loose->change_rules, DefaultPolicy().change_rules);
  EXPECT_TRUE(loose->common_input);
  auto change_only = ParsePolicy("change=fresh_address");
  ASSERT_THAT(change_only, IsOk());
  EXPECT_FALSE(change_only->common_input);
}

TEST(Policy, BadSpecsNameWhatIsWrong) {
  EXPECT_THAT(ParsePolicy(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePolicy("ci,change=fresh"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "'fresh'"));
  EXPECT_THAT(ParsePolicy("ci,colour=blue"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "colour"));
  EXPECT_THAT(ParsePolicy("ci,round=0"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePolicy("ci,guard=-1"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePolicy("ci,round-digits=19"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePolicy("ci,coinjoin=maybe"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePolicy("ci,nonsense"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ariadne::heuristics
