package dev.aoe.target;

import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AoeHeaderView;
import dev.aoe.frame.FrameCodec;
import dev.aoe.link.FrameLink;
import dev.aoe.link.MacAddress;
import io.netty.buffer.ByteBuf;

/**
 * Builds response frames straight from a request's bytes: MACs swapped, version 1, R set, reserved
 * flag bits clear, the export's real shelf.slot (the request may have been broadcast), the
 * request's command and tag. Nothing else of the request is copied unless a handler writes it.
 */
final class Responses {

    private Responses() {
    }

    /** Starts a response with room for {@code argLength} bytes after the header. */
    static ByteBuf begin(FrameLink link, ByteBuf request, Export export, int argLength) {
        MacAddress self = link.mac();
        ByteBuf out = link.newFrame(Math.max(AoeHeaderView.MIN_FRAME_LENGTH, AoeHeaderView.LENGTH + argLength));
        int r = request.readerIndex();
        out.writeBytes(request, r + AoeHeaderView.SOURCE_OFFSET, 6);
        self.writeTo(out);
        out.writeShort(AoeHeaderView.ETHERTYPE_AOE);
        out.writeByte((AoeHeader.VERSION << 4) | AoeHeader.FLAG_RESPONSE);
        out.writeByte(0);
        out.writeShort(export.shelf());
        out.writeByte(export.slot());
        out.writeByte(request.getUnsignedByte(r + AoeHeaderView.COMMAND_OFFSET));
        out.writeInt(request.getInt(r + AoeHeaderView.TAG_OFFSET));
        return out;
    }

    /** Sets the E flag and error code of a response begun with {@link #begin}. */
    static ByteBuf markError(ByteBuf response, AoeError error) {
        int i = response.readerIndex();
        response.setByte(i + AoeHeaderView.VER_FLAGS_OFFSET,
                response.getByte(i + AoeHeaderView.VER_FLAGS_OFFSET) | AoeHeader.FLAG_ERROR);
        response.setByte(i + AoeHeaderView.ERROR_OFFSET, error.code());
        return response;
    }

    /** A bare error response: the header with E set and the error code, padded. */
    static ByteBuf error(FrameLink link, ByteBuf request, Export export, AoeError error) {
        return finish(markError(begin(link, request, export, 0), error));
    }

    static ByteBuf finish(ByteBuf response) {
        FrameCodec.pad(response, response.readerIndex());
        return response;
    }
}
