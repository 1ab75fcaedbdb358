// Questions the gateway (gateway.h) answers itself, in the call's own reaction, instead of
// forwarding them to the query service over the in-process channel. That second hop hands the
// request to another gRPC server's thread and the answer back, and cost more than half of an
// address summary's time (docs/performance.md, "The gateway's hop"). Every check of the gateway
// (authentication, role, limits, request size, audit record) runs before and after a direct answer
// exactly as for a forwarded one.
//
// Only questions answered by a few point reads belong here: a direct answer runs on one of gRPC's
// callback threads, which also move every other call's messages, and nothing cancels it. Streams
// and graph walks (traces, paths, exposure) are forwarded.
#ifndef ARIADNE_ENGINE_SERVICE_DIRECT_ANSWERS_H_
#define ARIADNE_ENGINE_SERVICE_DIRECT_ANSWERS_H_

#include <grpcpp/grpcpp.h>

namespace google::protobuf {
class Message;
class MethodDescriptor;
}  // namespace google::protobuf

namespace ariadne::service {

class DirectAnswers {
 public:
  virtual ~DirectAnswers() = default;
  // Returns: whether Answer() answers `method`.
  virtual bool Answers(const google::protobuf::MethodDescriptor& method) const = 0;
  // Answers `request`, a message of the method's input type, into `response`, one of its output
  // type (both made from the generated pool). Only called for a method Answers() took.
  virtual grpc::Status Answer(const google::protobuf::MethodDescriptor& method,
                              const google::protobuf::Message& request,
                              google::protobuf::Message* response) = 0;
};

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_DIRECT_ANSWERS_H_
