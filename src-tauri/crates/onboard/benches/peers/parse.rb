# The parse bench's Ruby peer: the `mail` gem (Debian ruby-mail), the parser Zammad uses. Each
# message gives what the preview shows: the address headers, date, subject, message id, the
# decoded text and HTML bodies and the attachments' names, types and sizes. ruby-mail does not
# sanitize the HTML (Zammad does, afterwards, with its own sanitizer): it is not counted here.
# Usage: ruby parse.rb SECONDS FILE...; prints MB/s (10^6 bytes) of whole passes over the files,
# repeated until SECONDS have passed.
require "mail"

seconds = Float(ARGV.shift)
raws = ARGV.map { |f| File.binread(f) }
bytes = 0
started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
elapsed = 0.0
while elapsed < seconds
  raws.each do |raw|
    m = Mail.new(raw)
    [m[:from], m[:to], m[:cc]].each { |a| a&.to_s }
    m.date
    m.subject
    m.message_id
    text = m.multipart? ? m.text_part : (m.mime_type.to_s.start_with?("text/plain") || m.mime_type.nil? ? m : nil)
    html = m.multipart? ? m.html_part : (m.mime_type == "text/html" ? m : nil)
    text&.decoded
    html&.decoded
    m.attachments.each { |a| [a.filename, a.mime_type, a.decoded.bytesize] }
    bytes += raw.bytesize
  end
  elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
end
puts bytes / elapsed / 1e6
