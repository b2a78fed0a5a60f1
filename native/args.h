// Reads and checks a kernel's JavaScript arguments. Every failure throws a JavaScript error naming the kernel and
// the argument: TypeError for a wrong type or an array too short for the sizes given, RangeError for a bad size or
// value. Nothing is ever read or written outside an array.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace bam {

// A gemmStrided operand's layout (src/engine/kernels.ts MatrixLayout).
struct MatrixLayout {
  size_t ld;
  size_t outer;
  size_t inner;
};

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t count);

  bool flag(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  // A non-negative integer size (at most 2⁵³).
  size_t size(size_t i, const char* name) const;
  // A size that BLAS takes as a 32-bit int.
  int blasSize(size_t i, const char* name) const;
  // An object {ld, outer, inner} of non-negative integers.
  MatrixLayout layout(size_t i, const char* name) const;
  // A number reduced mod 2³² as JavaScript's `x >>> 0` does.
  uint32_t uint32(size_t i, const char* name) const;

  // Arrays of at least `need` elements; the pointer accounts for the view's byte offset.
  float* floats(size_t i, const char* name, size_t need) const;
  int32_t* ints(size_t i, const char* name, size_t need) const;
  uint8_t* bytes(size_t i, const char* name, size_t need) const;
  double* doubles(size_t i, const char* name, size_t need) const;
  // The Float32Array in field `field` of the object argument i, of at least `need` elements.
  float* fieldFloats(size_t i, const char* name, const char* field, size_t need) const;
  // Field `field` of the object argument i. Reading it may run a getter (JavaScript code), so a kernel reads every
  // field before it takes any raw pointer: a getter could otherwise detach an array already pointed to.
  Napi::Value field(size_t i, const char* name, const char* field) const;
  // The Float32Array `value` (a field read by field()), of at least `need` elements; runs no JavaScript.
  float* floatsOf(const Napi::Value& value, const std::string& name, size_t need) const;
  // An optional Float32Array: nullptr when the argument is undefined.
  float* optionalFloats(size_t i, const char* name, size_t need) const;

  // Elements in the typed array argument i (already checked to be one by floats/ints/bytes).
  size_t length(size_t i) const;

  // Product of sizes; throws a RangeError when it overflows.
  size_t product(std::initializer_list<size_t> factors) const;

  [[noreturn]] void rangeError(const std::string& message) const;

  Napi::Env env() const { return info_.Env(); }

 private:
  template <typename Array>
  Array typedArray(size_t i, const char* name, napi_typedarray_type type, const char* typeName, size_t need) const;
  template <typename Array>
  Array typedArray(const Napi::Value& value, const std::string& name, napi_typedarray_type type, const char* typeName,
                   size_t need) const;
  [[noreturn]] void typeError(const std::string& message) const;

  const Napi::CallbackInfo& info_;
  const char* kernel_;
};

}  // namespace bam
