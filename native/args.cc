#include "args.h"

#include <climits>
#include <cmath>
#include <string>

namespace bam {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr double kMaxElements = 4294967296.0;

}  // namespace

Args::Args(const Napi::CallbackInfo& info, const char* kernel, size_t count) : info_(info), kernel_(kernel) {
  if (info.Length() < count) {
    typeError("expects " + std::to_string(count) + " arguments, got " + std::to_string(info.Length()));
  }
}

void Args::typeError(const std::string& message) const {
  throw Napi::TypeError::New(info_.Env(), std::string(kernel_) + ": " + message);
}

void Args::rangeError(const std::string& message) const {
  throw Napi::RangeError::New(info_.Env(), std::string(kernel_) + ": " + message);
}

bool Args::flag(size_t i, const char* name) const {
  if (!info_[i].IsBoolean()) typeError(std::string(name) + " must be a boolean");
  return info_[i].As<Napi::Boolean>().Value();
}

double Args::number(size_t i, const char* name) const {
  if (!info_[i].IsNumber()) typeError(std::string(name) + " must be a number");
  return info_[i].As<Napi::Number>().DoubleValue();
}

size_t Args::size(size_t i, const char* name) const {
  const double v = number(i, name);
  if (!(v >= 0.0 && v <= kMaxSafeInteger && std::floor(v) == v)) {
    rangeError(std::string(name) + " must be a non-negative integer, got " + std::to_string(v));
  }
  // No typed array holds more than 2^32 elements, so a larger count cannot match the arrays; refusing it also
  // bounds the loops of kernels whose other size is 0 (an empty array with a huge count looped for ever).
  if (v > kMaxElements) rangeError(std::string(name) + " is " + std::to_string(static_cast<size_t>(v)) + ", more than any array holds");
  return static_cast<size_t>(v);
}

MatrixLayout Args::layout(size_t i, const char* name) const {
  if (!info_[i].IsObject()) typeError(std::string(name) + " must be an object {ld, outer, inner}");
  const Napi::Object object = info_[i].As<Napi::Object>();
  auto field = [&](const char* key) {
    const Napi::Value value = object.Get(key);
    const double v = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1.0;
    if (!(v >= 0.0 && v <= kMaxSafeInteger && std::floor(v) == v)) {
      rangeError(std::string(name) + "." + key + " must be a non-negative integer");
    }
    return static_cast<size_t>(v);
  };
  return MatrixLayout{field("ld"), field("outer"), field("inner")};
}

int Args::blasSize(size_t i, const char* name) const {
  const size_t v = size(i, name);
  if (v > static_cast<size_t>(INT_MAX)) rangeError(std::string(name) + " exceeds BLAS's 32-bit sizes");
  return static_cast<int>(v);
}

uint32_t Args::uint32(size_t i, const char* name) const {
  const double v = number(i, name);
  if (!std::isfinite(v)) return 0;
  double wrapped = std::fmod(std::trunc(v), 4294967296.0);
  if (wrapped < 0) wrapped += 4294967296.0;
  return static_cast<uint32_t>(wrapped);
}

template <typename Array>
Array Args::typedArray(size_t i, const char* name, napi_typedarray_type type, const char* typeName,
                       size_t need) const {
  return typedArray<Array>(info_[i], name, type, typeName, need);
}

template <typename Array>
Array Args::typedArray(const Napi::Value& value, const std::string& name, napi_typedarray_type type,
                       const char* typeName, size_t need) const {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    typeError(name + " must be a " + typeName);
  }
  Array array = value.As<Array>();
  if (array.ElementLength() < need) {
    typeError(name + " has " + std::to_string(array.ElementLength()) + " elements but " +
              std::to_string(need) + " are needed");
  }
  return array;
}

float* Args::floats(size_t i, const char* name, size_t need) const {
  return typedArray<Napi::Float32Array>(i, name, napi_float32_array, "Float32Array", need).Data();
}

int32_t* Args::ints(size_t i, const char* name, size_t need) const {
  return typedArray<Napi::Int32Array>(i, name, napi_int32_array, "Int32Array", need).Data();
}

uint8_t* Args::bytes(size_t i, const char* name, size_t need) const {
  return typedArray<Napi::Uint8Array>(i, name, napi_uint8_array, "Uint8Array", need).Data();
}

double* Args::doubles(size_t i, const char* name, size_t need) const {
  return typedArray<Napi::Float64Array>(i, name, napi_float64_array, "Float64Array", need).Data();
}

float* Args::fieldFloats(size_t i, const char* name, const char* field, size_t need) const {
  if (!info_[i].IsObject()) typeError(std::string(name) + " must be an object");
  const Napi::Value value = info_[i].As<Napi::Object>().Get(field);
  return typedArray<Napi::Float32Array>(value, std::string(name) + "." + field, napi_float32_array, "Float32Array", need)
      .Data();
}

Napi::Value Args::field(size_t i, const char* name, const char* field) const {
  if (!info_[i].IsObject()) typeError(std::string(name) + " must be an object");
  return info_[i].As<Napi::Object>().Get(field);
}

float* Args::floatsOf(const Napi::Value& value, const std::string& name, size_t need) const {
  return typedArray<Napi::Float32Array>(value, name, napi_float32_array, "Float32Array", need).Data();
}

float* Args::optionalFloats(size_t i, const char* name, size_t need) const {
  return info_[i].IsUndefined() ? nullptr : floats(i, name, need);
}

size_t Args::length(size_t i) const { return info_[i].As<Napi::TypedArray>().ElementLength(); }

size_t Args::product(std::initializer_list<size_t> factors) const {
  size_t result = 1;
  for (size_t f : factors) {
    if (__builtin_mul_overflow(result, f, &result)) rangeError("sizes overflow");
  }
  return result;
}

}  // namespace bam
