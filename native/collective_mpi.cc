// The MPI collective (build/Release/bam_mpi.node), built only when Open MPI's development files are found (see
// binding.gyp). It backs src/parallel/mpi-collective.ts: init, rank/size, the ranks on this machine, an in-place
// float32 sum all-reduce and a broadcast, both run on the libuv thread pool (N-API AsyncWorker) so that the
// JavaScript thread stays free for its watchdog and signal handlers, and abort. MPI is initialised with
// MPI_THREAD_SERIALIZED: calls come from pool threads, but the JavaScript side awaits each before the next.
#include <dlfcn.h>

// The C API only: Open MPI's deprecated C++ bindings would be compiled in otherwise.
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>
#include <napi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

namespace bam {
namespace {

// Elements per MPI call: counts are ints, and large fixed chunks keep the call count small on a big arena.
constexpr size_t kChunk = size_t{1} << 24;

bool initialised = false;

std::string mpiError(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, length);
}

void requireInit(const Napi::Env& env) {
  if (!initialised) throw Napi::Error::New(env, "bam_mpi: init() has not been called");
}

Napi::Value Init(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (!initialised) {
    // Open MPI loads its transports as plugins that resolve symbols from libmpi; Node loads this addon with
    // RTLD_LOCAL, so libmpi is promoted to global scope first.
    dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    int provided = 0;
    const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (rc != MPI_SUCCESS) throw Napi::Error::New(env, "MPI_Init_thread failed: " + mpiError(rc));
    if (provided < MPI_THREAD_SERIALIZED) {
      throw Napi::Error::New(env, "this MPI library does not support MPI_THREAD_SERIALIZED, which bam needs");
    }
    initialised = true;
  }
  int rank = 0, size = 1, localSize = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &localSize);
  MPI_Comm_free(&local);
  Napi::Object result = Napi::Object::New(env);
  result.Set("rank", rank);
  result.Set("size", size);
  result.Set("localSize", localSize);
  return result;
}

// One collective over a Float32Array on a pool thread, chunk by chunk; resolves the promise when done.
class CollectiveWorker : public Napi::AsyncWorker {
 public:
  enum class Kind { kAllReduceSum, kBroadcast };

  CollectiveWorker(Napi::Env env, Napi::Float32Array buffer, Kind kind, int root)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), kind_(kind), root_(root),
        data_(buffer.Data()), length_(buffer.ElementLength()) {
    buffer_ = Napi::Persistent(buffer);
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    for (size_t begin = 0; begin < length_; begin += kChunk) {
      const int count = static_cast<int>(std::min(kChunk, length_ - begin));
      const int rc = kind_ == Kind::kAllReduceSum
          ? MPI_Allreduce(MPI_IN_PLACE, data_ + begin, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD)
          : MPI_Bcast(data_ + begin, count, MPI_FLOAT, root_, MPI_COMM_WORLD);
      if (rc != MPI_SUCCESS) {
        SetError(mpiError(rc));
        return;
      }
    }
  }

  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Float32Array> buffer_;  // keeps the buffer alive while the pool thread uses it
  Kind kind_;
  int root_;
  float* data_;
  size_t length_;
};

Napi::Value Collective(const Napi::CallbackInfo& info, CollectiveWorker::Kind kind) {
  const Napi::Env env = info.Env();
  requireInit(env);
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(env, "bam_mpi: the buffer must be a Float32Array");
  }
  int root = 0;
  if (kind == CollectiveWorker::Kind::kBroadcast) {
    if (info.Length() < 2 || !info[1].IsNumber()) throw Napi::TypeError::New(env, "bam_mpi: broadcast needs a root rank");
    root = info[1].As<Napi::Number>().Int32Value();
  }
  auto* worker = new CollectiveWorker(env, info[0].As<Napi::Float32Array>(), kind, root);
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Value AllReduceSum(const Napi::CallbackInfo& info) { return Collective(info, CollectiveWorker::Kind::kAllReduceSum); }
Napi::Value Broadcast(const Napi::CallbackInfo& info) { return Collective(info, CollectiveWorker::Kind::kBroadcast); }

Napi::Value Finalize(const Napi::CallbackInfo& info) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (initialised && !finalized) MPI_Finalize();
  return info.Env().Undefined();
}

// Tells mpirun to end every rank of the job (the error code becomes each rank's exit status).
Napi::Value Abort(const Napi::CallbackInfo& info) {
  const int code = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 1;
  if (initialised) MPI_Abort(MPI_COMM_WORLD, code);
  return info.Env().Undefined();
}

}  // namespace
}  // namespace bam

Napi::Object RegisterBamMpi(Napi::Env env, Napi::Object exports) {
  using namespace bam;
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("allReduceSum", Napi::Function::New(env, AllReduceSum));
  exports.Set("broadcast", Napi::Function::New(env, Broadcast));
  exports.Set("finalize", Napi::Function::New(env, Finalize));
  exports.Set("abort", Napi::Function::New(env, Abort));
  return exports;
}

NODE_API_MODULE(bam_mpi, RegisterBamMpi)
